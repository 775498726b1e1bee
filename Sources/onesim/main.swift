print("onesim: not built yet")
