require "variables";
set "text" text: # Comment
Line 1
.Line 2
..Line 3
Line 5
.
;
if string :is "${text}" "" { test_fail "x"; }
