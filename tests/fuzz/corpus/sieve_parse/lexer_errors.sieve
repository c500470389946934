if size :under 18446744073709551616 { stop; }
if size :over 34359738368G { stop; }
if this_is_a_rediculously_long_test_name { stop; }
if test :this_is_an_even_more_rediculously_long_tagged_argument_name { stop; }
