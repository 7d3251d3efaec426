package bot

import (
	"github.com/precisbot/precis/commands"
	"github.com/precisbot/precis/digest"
	"github.com/precisbot/precis/pipeline"
	"github.com/precisbot/precis/store"
)

// The concrete types main wires in satisfy the interfaces declared here.
var (
	_ Store               = (*store.Store)(nil)
	_ Core                = (*pipeline.Pipeline)(nil)
	_ Handler             = (*commands.Handler)(nil)
	_ digest.Poster       = (*Client)(nil)
	_ digest.ChannelNamer = (*Client)(nil)
)
