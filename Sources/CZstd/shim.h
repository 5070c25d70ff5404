// The system zstd library (Debian: libzstd-dev), as the Backup module's chunk codec.
#include <zstd.h>
#include <zstd_errors.h>
