module.exports = {
  displayName: 'connection-tester-domain',
  preset: '../../../jest.preset.js',
  rootDir: '.',
};
