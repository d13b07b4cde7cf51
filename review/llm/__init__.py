"""Optional language-model assistance for `jixiao review` (issue 5).

client.py talks to an OpenAI-compatible chat-completions endpoint; prompts.py renders the versioned
templates of prompts/ with the document text fenced as data; answers.py validates the model's JSON
answers; cache.py keeps answers by (prompt version, model, input hash); judge.py decides which
findings and projects are asked about and attaches the answers to the report; pace.py sizes
concurrency and timeouts from the server's measured speed; support.py tells whether a quote bears
on the goal.

Nothing here is imported by a review that runs without a model.
"""
