# fish completion for sipcred-hash(1)

complete -c sipcred-hash -f
complete -c sipcred-hash -s a -l algorithm -x -d 'Add a hash algorithm' -a '
    MD5\t"RFC 2617 MD5"
    SHA-256\t"RFC 7616 SHA-256"
    SHA-512-256\t"RFC 7616 SHA-512/256"
    md5\t"userdb spelling of MD5"
    sha256\t"userdb spelling of SHA-256"'
complete -c sipcred-hash -s f -l format -x -d 'Output format' -a '
    hex\t"Bare lowercase hex"
    userdb\t"Flexisip credential tokens"
    pjsip\t"Asterisk password_digest lines"
    htdigest\t"Apache htdigest line (MD5 only)"'
complete -c sipcred-hash -l json -d 'Print a JSON object'
complete -c sipcred-hash -l auth-user -x -d 'Digest username a client sends, when not USER'
complete -c sipcred-hash -l password-stdin -d 'Read the password from standard input'
complete -c sipcred-hash -l password-file -r -F -d 'Read the password from a file'
complete -c sipcred-hash -s q -l quiet -d 'Print only errors'
complete -c sipcred-hash -s h -l help -d 'Print a usage summary'
complete -c sipcred-hash -l version -d 'Print the version'
