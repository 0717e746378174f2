# gunicorn reads this file from the working folder (the image's /app; docker-compose's web): the access log
# leaves out the secret tokens of private links (portal/logs.py).
logger_class = "portal.logs.GunicornLogger"
