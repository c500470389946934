if anyof (not exists ["From","Date"],
          header :matches "subject" ["*money*", "*win*"],
          size :over 1M)
{
  stop;
}
