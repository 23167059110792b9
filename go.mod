module github.com/assayhq/assay

go 1.26.3

require (
	github.com/CalebQ42/squashfs v1.4.1
	github.com/klauspost/compress v1.20.3
	github.com/mikelolasagasti/xz v1.0.1
	github.com/pierrec/lz4/v4 v4.1.22
	github.com/rasky/go-lzo v0.0.0-20200203143853-96a758eda86e
	github.com/spf13/cobra v1.10.2
	github.com/ulikunitz/xz v0.5.17
)

require (
	github.com/inconshreveable/mousetrap v1.1.0 // indirect
	github.com/spf13/pflag v1.0.9 // indirect
)
