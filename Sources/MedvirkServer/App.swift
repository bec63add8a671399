import Hummingbird
import OpenAPIHummingbird
import MedvirkAPI
import CompressNIO
import Crypto
public enum ServerX {}
