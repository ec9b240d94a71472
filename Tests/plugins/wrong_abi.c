/* A test plugin built for another ABI version: swio must refuse to load it. */
#include "swio_plugin.h"
static int noop_init(const struct swio_job *j, void **i, char *e, size_t n) { (void)j; (void)i; (void)e; (void)n; return 0; }
static int noop_queue(void *i, struct swio_io *io) { (void)i; io->result = 0; return SWIO_Q_COMPLETED; }
static void noop_cleanup(void *i) { (void)i; }
static const struct swio_plugin plugin = {
    .abi_version = 99, .flags = SWIO_PLUGIN_SYNC, .name = "future", .summary = "from a later swio",
    .init = noop_init, .queue = noop_queue, .cleanup = noop_cleanup,
};
const struct swio_plugin *swio_plugin_entry(void) { return &plugin; }
