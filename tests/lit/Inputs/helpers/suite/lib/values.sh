window_scaling=0
