print("conpaassql-manager: not built yet")
