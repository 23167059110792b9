module example.com/app

go 1.21

require (
	github.com/BurntSushi/toml v1.3.2
	golang.org/x/text v0.14.0 // indirect
	example.com/old v1.0.0
	example.com/local v0.1.0
)

replace example.com/old v1.0.0 => example.com/new v1.2.0

replace example.com/local => ../local
