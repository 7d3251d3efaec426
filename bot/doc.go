// Package bot owns Precis's life on Discord: the discordgo session wiring
// and event routing (slash and context-menu commands, pasted links,
// reactions), rendering a summarize.Summary into embeds within Discord's
// limits, posting and editing with allowed_mentions that ping no one, the
// rate and quota guards in front of the pipeline, and the health and
// metrics HTTP server.
package bot
