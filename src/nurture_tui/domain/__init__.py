"""The pure core: model, validation and the playbook. No I/O, no Textual."""
