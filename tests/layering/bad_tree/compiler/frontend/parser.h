// A frontend header that reaches up into codegen: a violation.
#include "codegen/emitter.h"
