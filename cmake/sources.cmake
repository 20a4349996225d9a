# Every source file of the libraries and the executable, named once (paths relative to the
# source tree). CMakeLists.txt and tests/fuzz/CMakeLists.txt (which compiles the libraries a
# second time, instrumented) both read these lists. A file that is not listed is not built:
# scripts/lint.sh checks that every .cpp, test script and benchmark in the tree is named in a
# CMake file.

# Core library: profiles, generator, scoring, import, pipeline, and the io layer's core part
# (src/io/, include/microreach/io/: the only code that knows file formats and includes <hdf5.h>).
set(MICROREACH_CORE_SOURCES
  src/cancel.cpp
  src/columns.cpp
  src/config.cpp
  src/dist.cpp
  src/distributions.cpp
  src/fault_guard.cpp
  src/format.cpp
  src/import.cpp
  src/isa.cpp
  src/json_rows.cpp
  src/output_path.cpp
  src/pipeline.cpp
  src/profile.cpp
  src/scoring.cpp
  src/stats.cpp
  src/summary.cpp
  src/synth.cpp
  src/table.cpp
  src/text_file.cpp
  src/toml_reader.cpp
  src/values.cpp
  src/io/hdf5.cpp
  src/io/profiles.cpp
  src/io/parallel_table.cpp
  src/io/csv.cpp
)

# Simulator library, with the layouts of the files made of simulator types (campaign, sweep):
# the library graph stays core <- sim <- microreach, with no cycle through a separate io library.
set(MICROREACH_SIM_SOURCES
  sim/campaign_run.cpp
  sim/candidates.cpp
  sim/engine.cpp
  sim/model.cpp
  sim/plan.cpp
  sim/scenario.cpp
  sim/strategy.cpp
  src/io/campaign.cpp
  src/io/sweep.cpp
)

# Audit library (src/audit/, include/microreach/audit/): the follower classifier, its model
# files, the streaming classification of follower lists and the fake-share statistics, with the
# layout of the audit file (made of audit types) from the io layer.
set(MICROREACH_AUDIT_SOURCES
  src/audit/classifier.cpp
  src/audit/followers.cpp
  src/audit/model_file.cpp
  src/audit/stats.cpp
  src/io/audit.cpp
)

# The one executable: options, calling the jobs, printing.
set(MICROREACH_CLI_SOURCES
  src/cli/campaign_options.cpp
  src/cli/campaign_print.cpp
  src/cli/cmd_audit.cpp
  src/cli/cmd_export.cpp
  src/cli/cmd_generate.cpp
  src/cli/cmd_import.cpp
  src/cli/cmd_report.cpp
  src/cli/cmd_score.cpp
  src/cli/cmd_simulate.cpp
  src/cli/cmd_sweep.cpp
  src/cli/config_file.cpp
  src/cli/import_options.cpp
  src/cli/main.cpp
  src/cli/options.cpp
  src/cli/output_check.cpp
)

# Jobs (src/jobs/, include/microreach/jobs/): one function per command, an options struct in and
# a result struct out, holding the command's policy; the CLI and the Python module call them.
set(MICROREACH_JOBS_SOURCES
  src/jobs/audit.cpp
  src/jobs/campaign.cpp
  src/jobs/dist_import.cpp
  src/jobs/dist_tables.cpp
  src/jobs/export.cpp
  src/jobs/generate.cpp
  src/jobs/import.cpp
  src/jobs/options.cpp
  src/jobs/plan.cpp
  src/jobs/report.cpp
  src/jobs/rows.cpp
  src/jobs/score.cpp
  src/jobs/simulate.cpp
)

foreach(list MICROREACH_CORE_SOURCES MICROREACH_SIM_SOURCES MICROREACH_AUDIT_SOURCES
        MICROREACH_JOBS_SOURCES
        MICROREACH_CLI_SOURCES)
  list(TRANSFORM ${list} PREPEND ${PROJECT_SOURCE_DIR}/)
endforeach()
