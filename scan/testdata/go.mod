module example.com/legacy

go 1.21

require (
	golang.org/x/net v0.7.0
	golang.org/x/text v0.3.7
	github.com/gorilla/websocket v1.5.3
)
