// libmagic (file(1)'s detector), from Debian's libmagic-dev.
#include <magic.h>
