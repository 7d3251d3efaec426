// Command precis is a Discord bot that summarises news links neutrally.
package main

func main() {}
