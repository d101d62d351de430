// reel: the ReelDrive command line. One binary: `reel mount` runs a drive; the other commands
// talk to a running mount through its control API.
#include <iostream>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "cli/output.h"

int main(int argc, char** argv) {
  using namespace reel::cli;
  // Create spdlog's default logger before any thread exists. It is a function-local static in
  // the spdlog library, whose (uninstrumented) init guard TSan cannot see: created later by one
  // thread, its use by another is reported as a race.
  spdlog::default_logger_raw();
  CLI::App app{"ReelDrive: a cloud drive for media assets, where every save is a version."};
  app.name("reel");
  app.set_version_flag("--version", REEL_VERSION);
  app.require_subcommand(1);
  Runner run;
  AddDriveCommands(app, &run);
  AddVersionCommands(app, &run);
  AddMaintenanceCommands(app, &run);
  AddEventCommands(app, &run);
  AddTierCommands(app, &run);
  AddCatalogCommands(app, &run);
  AddServerCommands(app, &run);
  AddTeamCommands(app, &run);
  AddWebCommands(app, &run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, --version
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return UsageError(e.what());
  }
  if (!run) return UsageError("no command given");
  try {
    return run();
  } catch (const std::exception& e) {
    return Fail(std::string("unexpected error: ") + e.what());
  }
}
