keep
}
fileinto "x" }
if anyof(true,) {}
friep $$$;
if true {
  keep,
  keep
}
