/* html_entities.c — STUB: the HTML5 named character references (filled in with html.c). */
#include "mp_internal.h"
