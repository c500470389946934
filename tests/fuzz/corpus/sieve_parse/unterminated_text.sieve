keep text:
no end