#!/usr/bin/env python3
"""The textbook UDPClient: sendto the server, print the reply (timeout: the lost reply is
reported, exit 1)."""
import socket
import sys

serverName, serverPort, message = sys.argv[1], int(sys.argv[2]), sys.argv[3]
family = socket.AF_INET6 if ':' in serverName else socket.AF_INET
clientSocket = socket.socket(family, socket.SOCK_DGRAM)
clientSocket.settimeout(5)
clientSocket.sendto(message.encode(), (serverName, serverPort))
try:
    modifiedMessage, serverAddress = clientSocket.recvfrom(2048)
except socket.timeout:
    print('no reply', file=sys.stderr)
    sys.exit(1)
print('From Server:', modifiedMessage.decode())
clientSocket.close()
