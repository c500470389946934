frop :a "b" 1 :c "d" 2 :e "f" 3 :g "h" 4 :i "j" 5 :k "l" 6 :m "n" 7 :o "p" 8 :q "r" 9 :s "t" 10 :u "v";
fileinto ["1","2","3","4","5","6"];
