// The C interface of run-time engine plugins is the header in include/; this target only
// makes it importable from Swift (ExternalEngine).
#include "swio_plugin.h"
