#!/usr/bin/env python3
"""The textbook TCPClient: connect, send the sentence, print the reply, close."""
import socket
import sys

serverName, serverPort, sentence = sys.argv[1], int(sys.argv[2]), sys.argv[3]
clientSocket = socket.create_connection((serverName, serverPort), timeout=10)
clientSocket.send(sentence.encode())
modifiedSentence = clientSocket.recv(1024)
print('From Server:', modifiedSentence.decode())
clientSocket.close()
