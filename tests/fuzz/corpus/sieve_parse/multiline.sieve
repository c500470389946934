require "vacation";
vacation :days 7 :subject "Away" :addresses ["me@example.com", "me2@example.com"] text:
# comment on the text: line
I am away.
..leading dot
.not stuffed
.
;
