/* html_entities.h — lookup in the HTML5 named character reference table (html_entities.c). */
#ifndef HTML_ENTITIES_H
#define HTML_ENTITIES_H

#include <stddef.h>
#include <stdint.h>

/* The longest name in the table, ';' included ("CounterClockwiseContourIntegral;"). */
#define MP_HTML_ENTITY_MAX_NAME 32
/* The longest legacy name, the ones also recognised without ';' ("frac12", "middot"). */
#define MP_HTML_ENTITY_MAX_LEGACY 6

/* Looks up the `len` bytes at `name` (the text after '&', ';' included when the caller wants
 * the terminated form). Returns the number of code points written to `cp` (1 or 2), or 0 when
 * the name is not in the table. Case-sensitive, as HTML is. */
int mp_html_entity_lookup(const char *name, size_t len, uint32_t cp[2]);

#endif
