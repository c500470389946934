set "a" "\\a\"b\x\\";
/* bracket
   comment ** / */
# hash comment
keep;