// ferret-plugin-worker: the process in which ferret-parse and ferret-plugins load and run plugins.
#include "plugin_host/worker.h"

int main(int argc, char** argv) { return ferret::plugin_host::worker_main(argc, argv); }
