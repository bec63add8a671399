import ArgumentParser
import MedvirkServer
print("hi")
