/* mailparse-dump.c — STUB until the core lands. */
#include "mailparse.h"
int main(void) { return mailparse_version_number() ? 1 : 0; }
