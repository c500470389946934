if true { if true { if true { if true { if true { keep; } } } } }
if not not not not exists "x" {}
if allof(anyof(allof(true, false), true), not false) {}
