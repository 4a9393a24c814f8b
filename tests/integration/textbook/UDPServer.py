#!/usr/bin/env python3
"""The textbook UDPServer: one socket; each datagram answered in capitals to its sender.
Stops after COUNT datagrams."""
import socket
import sys

serverPort = int(sys.argv[1]) if len(sys.argv) > 1 else 12000
count = int(sys.argv[2]) if len(sys.argv) > 2 else 1
host = sys.argv[3] if len(sys.argv) > 3 else ''
family = socket.AF_INET6 if ':' in host else socket.AF_INET
serverSocket = socket.socket(family, socket.SOCK_DGRAM)
serverSocket.bind((host, serverPort))
serverSocket.settimeout(20)
print('ready', flush=True)
for _ in range(count):
    message, clientAddress = serverSocket.recvfrom(2048)
    modifiedMessage = message.decode().upper()
    serverSocket.sendto(modifiedMessage.encode(), clientAddress)
serverSocket.close()
