#include "microreach/jobs/simulate.hpp"

#include "microreach/dist.hpp"
#include "microreach/io/campaign.hpp"
#include "microreach/io/hdf5.hpp"

namespace microreach::jobs {

sim::Scenario simulate_scenario(const SimulateOptions& o) {
  sim::Scenario sc = resolve_scenario(o.campaign);
  if (o.strategies) set_strategies(sc, *o.strategies);
  if (o.precision) {
    sc.origin["run.precision"] = "--precision";
    sc.precision = *o.precision;
  }
  if (o.max_trials) {
    sc.origin["run.max_trials"] = "--max-trials";
    sc.max_trials = *o.max_trials;
  }
  if (!o.noise) sc.model.noise = false;
  sc.validate();
  return sc;
}

namespace {

void write_campaign_file(const sim::Scenario& sc, const SimulateOptions& o,
                         const sim::CampaignRun& run) {
  const h5::Provenance prov{h5::kFiletypeCampaign, sc.seed, sc.to_toml(), o.command_line};
  h5::write_file_atomically(o.out, prov, [&](h5::File& file) {
    io::CampaignRunInfo info = run_info(sc, run.pool);
    info.precision_target = sc.precision;
    info.max_trials = run.max_trials;
    info.precision = run.precision;
    io::write_run_attributes(file.id(), *run.model, run.result, info);
    io::write_model(file.id(), run.model->params());
    io::write_strategies(file.id(), *run.model);
    io::write_summary(file.id(), run.summary);
    io::write_comparisons(file.id(), run.result);
    if (o.keep_trials) io::write_trials(file.id(), run.result);
  });
}

}  // namespace

SimulateResult simulate(const sim::Scenario& sc, const SimulateOptions& o) {
  SimulateResult r;
  r.run = sim::run_campaign(sc, o.max_hires);
  // Distributed (docs/scale.md): every rank holds the whole result; rank 0 writes the file.
  if (!o.out.empty() && dist::is_root()) {
    write_campaign_file(sc, o, r.run);
    r.wrote = true;
  }
  return r;
}

}  // namespace microreach::jobs
