require ["fileinto", "envelope"];
if header :contains "subject" "[list]" {
  fileinto "lists";
} elsif envelope :is "from" "a@b.example" {
  discard;
} else {
  keep;
}
