if size :under 18446744073709551615 { keep; }
if size :over 17179869183G { stop; }
if size :over 100K { discard; }
