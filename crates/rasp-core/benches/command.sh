/usr/bin/convert '/var/www/uploads/image 01.png' -resize 800x600 -quality 85 "/var/www/cache/thumb_$(date +%s).jpg" 2>&1 | tee -a /tmp/log
