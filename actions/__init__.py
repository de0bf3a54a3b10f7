"""Custom Rasa actions (rasa-sdk 3.6). They reach the practice's records only through the api."""
