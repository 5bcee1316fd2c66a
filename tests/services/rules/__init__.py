"""The rules library's services and its text handling."""
