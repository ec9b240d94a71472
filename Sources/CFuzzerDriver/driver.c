// Declarations only: see include/cfuzzerdriver.h.
