// common/ may not include the runtime.
#include "exec/run.h"
