#include "cblkid.h"
#include <blkid/blkid.h>
#include <errno.h>
#include <string.h>
#include <stdio.h>

static void copy_value(blkid_probe pr, const char *name, char *out, size_t len) {
    const char *v = NULL;
    size_t n = 0;
    out[0] = '\0';
    if (len == 0 || blkid_probe_lookup_value(pr, name, &v, &n) != 0 || v == NULL) return;
    snprintf(out, len, "%s", v);
}

int cswio_blkid_probe(const char *path, char *type, size_t type_len, char *usage, size_t usage_len,
                      char *label, size_t label_len) {
    blkid_probe pr = blkid_new_probe_from_filename(path);
    if (pr == NULL) return errno ? -errno : -EIO;
    blkid_probe_enable_superblocks(pr, 1);
    blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_USAGE | BLKID_SUBLKS_LABEL);
    blkid_probe_enable_partitions(pr, 1);
    blkid_probe_set_partitions_flags(pr, BLKID_PARTS_MAGIC);
    int r = blkid_do_safeprobe(pr);
    int found = 0;
    if (r == 0) {
        found = 1;
        copy_value(pr, "TYPE", type, type_len);
        copy_value(pr, "USAGE", usage, usage_len);
        copy_value(pr, "LABEL", label, label_len);
        if (type[0] == '\0') {
            copy_value(pr, "PTTYPE", type, type_len);
            snprintf(usage, usage_len, "partition table");
        }
    } else if (r == -2) {
        found = 1;
        snprintf(type, type_len, "ambiguous");
        snprintf(usage, usage_len, "several signatures");
        label[0] = '\0';
    } else if (r < 0) {
        found = errno ? -errno : -EIO;
    }
    blkid_free_probe(pr);
    return found;
}
