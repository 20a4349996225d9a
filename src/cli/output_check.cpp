#include "output_check.hpp"

#include <algorithm>

namespace microreach::cli {

void check_paths(const CLI::App* cmd, std::vector<OutputUse> outputs,
                 std::vector<InputUse> inputs) {
  for (OutputUse& o : outputs) {
    const CLI::Option* opt = nullptr;
    try {
      opt = cmd->get_option(o.option);
    } catch (const CLI::OptionNotFound&) {
    }
    o.given = opt == nullptr || opt->count() > 0;
  }
  const CLI::App* root = cmd;
  while (root->get_parent() != nullptr) root = root->get_parent();
  if (const CLI::Option* config = root->get_config_ptr(); config != nullptr && config->count() > 0)
    for (const std::string& f : config->results()) inputs.push_back({"--config", f});
  check_output_paths(outputs, inputs);
}

void check_campaign_paths(const CLI::App* cmd, const std::string& out,
                          const std::string& scenario_file, const std::string& market_input,
                          const std::string& market_input_where,
                          const std::vector<std::string>& scenario_strategies,
                          const std::string& strategies) {
  std::vector<InputUse> inputs = {{"--scenario", scenario_file},
                                  {market_input_where, market_input}};
  add_list_inputs(inputs, scenario_strategies, "campaign.strategies");
  std::vector<std::string> given;
  for (std::size_t b = 0; b <= strategies.size();) {
    const std::size_t e = std::min(strategies.find(',', b), strategies.size());
    given.push_back(strategies.substr(b, e - b));
    b = e + 1;
  }
  add_list_inputs(inputs, given, "--strategies");
  check_paths(cmd, {{"--out", out, OutputFormat::binary}}, inputs);
}

void add_list_inputs(std::vector<InputUse>& inputs, const std::vector<std::string>& strategies,
                     const std::string& where) {
  for (const std::string& s : strategies)
    if (s.rfind("list:", 0) == 0) inputs.push_back({where, s.substr(5)});
}

}  // namespace microreach::cli
