#!/usr/bin/env python3
"""The textbook TCPServer: a welcoming socket, one connection socket per client; reads one
message (recv(1024), as the book), replies in capitals, closes. Stops after COUNT clients."""
import socket
import sys

serverPort = int(sys.argv[1]) if len(sys.argv) > 1 else 12000
count = int(sys.argv[2]) if len(sys.argv) > 2 else 1
host = sys.argv[3] if len(sys.argv) > 3 else ''
family = socket.AF_INET6 if ':' in host else socket.AF_INET
serverSocket = socket.socket(family, socket.SOCK_STREAM)
serverSocket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
serverSocket.bind((host, serverPort))
serverSocket.listen(1)
serverSocket.settimeout(20)  # a broken test must not hang
print('ready', flush=True)
for _ in range(count):
    connectionSocket, addr = serverSocket.accept()
    sentence = connectionSocket.recv(1024).decode()
    capitalizedSentence = sentence.upper()
    connectionSocket.send(capitalizedSentence.encode())
    connectionSocket.close()
serverSocket.close()
