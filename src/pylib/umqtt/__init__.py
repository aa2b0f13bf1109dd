# umqtt: MicroPython's MQTT client package (umqtt.simple).
