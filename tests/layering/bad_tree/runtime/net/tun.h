// A net header that reaches up into exec, and one that climbs with "..".
#include "exec/run.h"
#include "../exec/run.h"
