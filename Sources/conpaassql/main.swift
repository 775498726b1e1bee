print("conpaassql: being built")
