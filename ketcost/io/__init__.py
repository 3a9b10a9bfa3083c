"""Reading and writing: files, price sheets, plan files and batch records."""
