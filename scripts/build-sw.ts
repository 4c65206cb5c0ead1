console.log('sw todo')
